with denials as (
    select
        published_date,
        count(*) as denial_count,
        count(distinct speaker_name) as denier_count
    from {{ ref('stg_signals') }}
    where kind = 'denial'
    group by 1
)
select
    d.index_date,
    coalesce(n.denial_count, 0) as denial_count,
    coalesce(n.denier_count, 0) as denier_count
from {{ ref('days') }} as d
left join denials as n on n.published_date = d.index_date
