{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window_documents() }}") }}
-- Documents as the index counts them: one per story (republished copies dropped) with the publisher's
-- country and alignment, from the source config where ingestion set it, else from the outlet register.
-- A table kept per window, not a view: resolving publishers takes a join on name, alias or domain that would
-- otherwise be recomputed over the whole history by every model and test that reads it. Its first build (or
-- a warehouse where it was a view) takes every day; later runs their window.
with docs as (
    select * from {{ ref('stg_documents') }}
    where not is_near_duplicate
    {%- if is_incremental() %}
      and published_date between {{ window_start() }} and {{ window_end() }}
    {%- endif %}
),
outlets as (
    select
        outlet_id,
        lower(name) as name_key,
        list_transform(string_split(lower(coalesce(aliases, '')), '|'), a -> trim(a)) as alias_keys,
        lower(domain) as domain,
        country,
        alignment
    from {{ ref('reference_outlets') }}
),
matches as (
    select
        d.doc_id,
        o.outlet_id,
        o.country,
        o.alignment,
        row_number() over (
            partition by d.doc_id
            order by case when lower(d.outlet) = o.name_key then 1
                          when list_contains(o.alias_keys, lower(d.outlet)) then 2
                          else 3 end, o.outlet_id
        ) as match_rank
    from docs as d
    join outlets as o
        on lower(d.outlet) = o.name_key
        or list_contains(o.alias_keys, lower(d.outlet))
        or regexp_extract(lower(d.url), '^https?://(?:www\.)?([^/:]+)', 1) = o.domain
        or regexp_extract(lower(d.url), '^https?://([^/:]+)', 1) like '%.' || o.domain
)
select
    d.*,
    m.outlet_id as publisher_outlet_id,
    coalesce(d.outlet_country, m.country) as publisher_country,
    coalesce(d.outlet_alignment, m.alignment) as publisher_alignment
from docs as d
left join matches as m on m.doc_id = d.doc_id and m.match_rank = 1
