-- One row per accusation against a named official (or by one against the target country as a state).
select
    s.signal_id as accusation_id,
    s.published_date as accusation_date,
    s.speaker_name as accuser_name,
    s.speaker_id as accuser_id,
    s.speaker_role as accuser_role,
    s.speaker_country as accuser_country,
    s.target_name as accused_name,
    s.target_id as accused_id,
    s.target_type as accused_type,
    s.target_country as accused_country,
    s.claim as charge,
    s.sentence as evidence_sentence,
    s.char_start,
    s.char_end,
    s.doc_id,
    doc.url,
    doc.outlet,
    s.score
from {{ ref('stg_signals') }} as s
join {{ ref('stg_documents') }} as doc using (doc_id)
where s.kind = 'accusation'
