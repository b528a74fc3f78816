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
-- Overlap = share of the denial's content words found in the claim. Computed through the words they share (an
-- equi-join on word) rather than by comparing every pair's word lists: pairs sharing no word are never formed,
-- and each text is split into words once.
denial_words as (
    select distinct denial_id, published_date, word
    from (
        select signal_id as denial_id, published_date,
               unnest({{ content_words('coalesce(claim, sentence)') }}) as word
        from denial_rows
    )
),
denial_sizes as (
    select denial_id, count(*) as n_words from denial_words group by denial_id
),
claim_words as (
    select distinct signal_id, published_date, word
    from (select signal_id, published_date, unnest({{ content_words('sentence') }}) as word from claims)
),
shared as (
    select dw.denial_id, cw.signal_id as claim_signal_id, count(*) as n_shared
    from denial_words as dw
    join claim_words as cw
        on cw.word = dw.word
       and cw.published_date between dw.published_date - interval 60 days and dw.published_date
       and cw.signal_id <> dw.denial_id
    group by dw.denial_id, cw.signal_id
),
candidates as (
    select
        s.denial_id,
        s.claim_signal_id,
        c.published_date as claim_date,
        c.sentence as claim_sentence,
        c.speaker_name as claimant_name,
        s.n_shared / n.n_words as overlap
    from shared as s
    join denial_sizes as n using (denial_id)
    join claims as c on c.signal_id = s.claim_signal_id
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
