with daily as (
    select
        d.index_date,
        f.document_count,
        coalesce(sum(c.contribution_points), 0) as raw_points,
        count(c.signal_id) filter (where c.kind = 'hostile_mention') as hostile_mention_count,
        count(c.signal_id) filter (where c.kind = 'accusation') as accusation_count,
        count(c.signal_id) filter (where c.kind = 'threat') as threat_count,
        count(c.signal_id) filter (where c.kind = 'denial') as denial_count
    from {{ ref('days') }} as d
    join {{ ref('hostile_mention_frequency_daily') }} as f using (index_date)
    left join {{ ref('signal_contributions') }} as c using (index_date)
    group by 1, 2
),
scored as (
    select
        *,
        -- Points per document: a busy news day is not a tense day.
        case when document_count = 0 then null else raw_points / document_count end as points_per_document
    from daily
),
rebased as (
    select
        *,
        -- Reference period: every day with documents; its mean is 100.
        avg(points_per_document) over () as reference_mean
    from scored
)
select
    r.index_date,
    r.document_count,
    r.hostile_mention_count,
    r.accusation_count,
    r.threat_count,
    r.denial_count,
    round(r.raw_points, 4) as raw_points,
    round(r.points_per_document, 4) as points_per_document,
    round(case when r.points_per_document is null then null
               when r.reference_mean = 0 then 0
               else 100 * r.points_per_document / r.reference_mean end, 2) as tension_index,
    case
        when r.points_per_document is null then 'no data'
        when r.reference_mean > 0 and 100 * r.points_per_document / r.reference_mean >= {{ var('level_critical') }} then 'critical'
        when r.reference_mean > 0 and 100 * r.points_per_document / r.reference_mean >= {{ var('level_high') }} then 'high'
        when r.reference_mean > 0 and 100 * r.points_per_document / r.reference_mean >= {{ var('level_elevated') }} then 'elevated'
        else 'calm'
    end as tension_level,
    r.document_count < {{ var('min_documents') }} as is_low_confidence,
    top.sentence as top_driver_sentence,
    top.kind as top_driver_kind,
    top.speaker_name as top_driver_speaker,
    top.doc_id as top_driver_doc_id,
    top.url as top_driver_url,
    '{{ var("methodology_version") }}' as methodology_version
from rebased as r
left join {{ ref('tension_index_drivers') }} as top
    on top.index_date = r.index_date and top.driver_rank = 1
