-- Each signal of a counted document with its weight in the index:
--   weighted_score = kind weight x confidence x speaker prominence x own-voice alignment x side
--                    (x the force multiplier for a threat in a document rated 3).
with signals as (
    select s.*, d.publisher_outlet_id, d.publisher_country, d.publisher_alignment, d.outlet, d.url, d.doc_type,
           a.tension_rating
    from {{ ref('stg_signals') }} as s
    join {{ ref('int_documents') }} as d using (doc_id)
    left join {{ ref('stg_document_assessments') }} as a using (doc_id)
),
people as (
    select person_id, prominence from {{ ref('reference_people') }}
),
factors as (
    select
        s.*,
        coalesce(p.prominence, {{ param('prominence_unknown') }}) as speaker_prominence,
        s.speaker_type = 'outlet' as is_own_voice,
        case s.kind
            when 'hostile_mention' then {{ param('weight_hostile_mention') }}
            when 'accusation' then {{ param('weight_accusation') }}
            when 'threat' then {{ param('weight_threat') }}
            when 'denial' then {{ param('weight_denial') }}
        end as kind_weight
    from signals as s
    left join people as p on p.person_id = s.speaker_id
),
weighted as (
select
    *,
    speaker_prominence / {{ param('prominence_reference') }} as prominence_factor,
    case
        when not is_own_voice then 1.0
        when publisher_alignment in ('state', 'official_body') then {{ param('alignment_own_voice_state') }}
        when publisher_alignment = 'state_aligned' then {{ param('alignment_own_voice_state_aligned') }}
        else {{ param('alignment_own_voice_other') }}
    end as alignment_factor,
    case
        when kind = 'denial' then 1.0
        when speaker_country = {{ param('adversary_country', 'varchar') }} then {{ param('side_adversary') }}
        when speaker_country is null then {{ param('side_unknown') }}
        else {{ param('side_other') }}
    end as side_factor,
    case when kind = 'threat' and tension_rating = 3 then {{ param('force_threat_multiplier') }} else 1.0 end
        as force_factor
from factors
)
select
    *,
    kind_weight * score * prominence_factor * alignment_factor * side_factor * force_factor as weighted_score
from weighted
