-- A republished copy of a story (is_near_duplicate) is counted once, as its original.
with docs as (
    select published_date, count(*) as document_count
    from {{ ref('stg_documents') }}
    where not is_near_duplicate
    group by 1
),
mentions as (
    select
        s.published_date,
        count(*) as hostile_mention_count,
        count(distinct s.doc_id) as documents_with_hostile_mention_count
    from {{ ref('stg_signals') }} as s
    join {{ ref('stg_documents') }} as d using (doc_id)
    where s.kind = 'hostile_mention' and not d.is_near_duplicate
    group by 1
)
select
    d.index_date,
    coalesce(docs.document_count, 0) as document_count,
    coalesce(m.hostile_mention_count, 0) as hostile_mention_count,
    coalesce(m.documents_with_hostile_mention_count, 0) as documents_with_hostile_mention_count,
    case when coalesce(docs.document_count, 0) = 0 then null
         else coalesce(m.documents_with_hostile_mention_count, 0) / docs.document_count end
        as hostile_document_share
from {{ ref('days') }} as d
left join docs on docs.published_date = d.index_date
left join mentions as m on m.published_date = d.index_date
