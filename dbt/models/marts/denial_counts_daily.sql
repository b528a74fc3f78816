{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('index_date') }}") }}
select
    c.index_date,
    c.denial_count,
    (select count(distinct d.denier_name) from {{ ref('denials') }} as d where d.denial_date = c.index_date)
        as denier_count
from {{ ref('int_index_components_daily') }} as c
where c.index_date between {{ window_start() }} and {{ window_end() }}
