-- The index's calendar for analysts (marts.days); the spine itself is built in staging, so that
-- intermediate models never read a mart.
select index_date from {{ ref('stg_days') }}
