{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('index_date') }}") }}
-- Hostile mentions per day by publisher country and alignment and by frame category; shares are of all the
-- day's documents, so that a volume swing does not move them.
with day_docs as (
    select index_date, document_count from {{ ref('int_index_components_daily') }}
    where index_date between {{ window_start() }} and {{ window_end() }}
)
select
    s.published_date as index_date,
    coalesce(s.publisher_country, 'unknown') as publisher_country,
    coalesce(s.publisher_alignment, 'unknown') as publisher_alignment,
    coalesce(s.category, 'uncategorised') as category,
    count(*) as hostile_mention_count,
    count(distinct s.doc_id) as document_count,
    count(distinct s.doc_id) / any_value(d.document_count) as share_of_day_documents
from {{ ref('int_signals_weighted') }} as s
join day_docs as d on d.index_date = s.published_date
where s.kind = 'hostile_mention'
group by 1, 2, 3, 4
