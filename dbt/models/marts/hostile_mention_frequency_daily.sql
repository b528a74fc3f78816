{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('index_date') }}") }}
-- Hostile mentions per day, as counts and as a share of the day's documents (each story counted once).
select
    index_date,
    document_count,
    hostile_mention_count,
    hostile_document_count as documents_with_hostile_mention_count,
    case when document_count = 0 then null else hostile_document_count / document_count end as hostile_document_share
from {{ ref('int_index_components_daily') }}
where index_date between {{ window_start() }} and {{ window_end() }}
