-- The signals that contributed most to each day's index, best first (ties broken by signal id, so reruns agree).
select *
from (
    select
        index_date,
        row_number() over (
            partition by index_date order by contribution_points desc, signal_id
        ) as driver_rank,
        signal_id,
        kind,
        category,
        sentence,
        speaker_name,
        doc_id,
        url,
        outlet,
        contribution_points
    from {{ ref('signal_contributions') }}
)
where driver_rank <= 5
