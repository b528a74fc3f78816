{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('index_date') }}") }}
-- The signals that weigh most in each day's index, best first (ties broken by signal id, so reruns agree).
select *
from (
    select
        published_date as index_date,
        row_number() over (partition by published_date order by weighted_score desc, signal_id) as driver_rank,
        signal_id,
        kind,
        category,
        sentence,
        speaker_name,
        speaker_role,
        speaker_country,
        target_name,
        doc_id,
        url,
        outlet,
        round(weighted_score, 6) as weighted_score
    from {{ ref('int_signals_weighted') }}
    where published_date between {{ window_start() }} and {{ window_end() }}
)
where driver_rank <= 5
