{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('denial_date') }}") }}
-- One row per denial, linked where possible to the earlier claim it answers (the most similar accusation,
-- threat or hostile mention of the previous 60 days, by shared content words) with the delay in days.
with denial_rows as (
    select * from {{ ref('int_signals_weighted') }}
    where kind = 'denial' and published_date between {{ window_start() }} and {{ window_end() }}
),
claims as (
    select signal_id, published_date, kind, sentence, speaker_name
    from {{ ref('int_signals_weighted') }}
    where kind in ('accusation', 'threat', 'hostile_mention')
      and published_date between {{ window_start() }} - interval 60 days and {{ window_end() }}
),
candidates as (
    select
        d.signal_id as denial_id,
        c.signal_id as claim_signal_id,
        c.published_date as claim_date,
        c.sentence as claim_sentence,
        c.speaker_name as claimant_name,
        {{ word_overlap('coalesce(d.claim, d.sentence)', 'c.sentence') }} as overlap
    from denial_rows as d
    join claims as c
        on c.published_date between d.published_date - interval 60 days and d.published_date
       and c.signal_id <> d.signal_id
),
best as (
    select * from candidates
    where overlap >= 0.15
    qualify row_number() over (partition by denial_id order by overlap desc, claim_date, claim_signal_id) = 1
)
select
    d.signal_id as denial_id,
    d.published_date as denial_date,
    d.speaker_name as denier_name,
    d.speaker_id as denier_id,
    d.speaker_role as denier_role,
    d.speaker_country as denier_country,
    d.claim as denied_claim,
    d.sentence as evidence_sentence,
    d.char_start,
    d.char_end,
    d.doc_id,
    d.url,
    d.outlet,
    b.claim_signal_id,
    b.claim_date,
    b.claim_sentence,
    b.claimant_name,
    datediff('day', b.claim_date, d.published_date) as claim_to_denial_days,
    round(b.overlap, 3) as claim_match_score
from denial_rows as d
left join best as b on b.denial_id = d.signal_id
