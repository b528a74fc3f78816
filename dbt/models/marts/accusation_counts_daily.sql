{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('index_date') }}") }}
-- Accusations per day per accused and per accuser.
select accusation_date as index_date, 'accused' as party_role, accused_name as party_name, accused_id as party_id,
       count(*) as accusation_count
from {{ ref('official_accusations') }}
where accusation_date between {{ window_start() }} and {{ window_end() }} and accused_name is not null
group by all
union all
select accusation_date, 'accuser', accuser_name, accuser_id, count(*)
from {{ ref('official_accusations') }}
where accusation_date between {{ window_start() }} and {{ window_end() }} and accuser_name is not null
group by all
