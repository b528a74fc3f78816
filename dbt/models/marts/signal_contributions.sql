-- What each signal adds to its day's raw tension score: the kind's weight times the extractor's confidence.
select
    s.signal_id,
    s.published_date as index_date,
    s.kind,
    s.category,
    s.sentence,
    s.speaker_name,
    s.doc_id,
    doc.url,
    doc.outlet,
    s.score,
    s.score * case s.kind
        when 'hostile_mention' then {{ var('weight_hostile_mention') }}
        when 'accusation' then {{ var('weight_accusation') }}
        when 'threat' then {{ var('weight_threat') }}
        when 'denial' then {{ var('weight_denial') }}
        else 0 end as contribution_points
from {{ ref('stg_signals') }} as s
join {{ ref('stg_documents') }} as doc using (doc_id)
-- a republished copy adds nothing: its original already counts
where not doc.is_near_duplicate
