-- Every day from the first to the last document, so that a day without documents is a row, not a gap.
with bounds as (
    select min(published_date) as first_date, max(published_date) as last_date
    from {{ ref('stg_documents') }}
)
select cast(day as date) as index_date
from bounds, generate_series(bounds.first_date, bounds.last_date, interval 1 day) as t(day)
where bounds.first_date is not null
