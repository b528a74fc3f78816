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
-- Overlap = share of the denial's content words found in the claim. Candidate pairs are found through the words
-- they share (an equi-join on word), not by comparing every pair's word lists, and each text is split once.
-- A word found in more than var('denial_link_common_word_claims') claims of the 60 days before the denial does
-- not by itself make a pair a candidate: a word that common ("kazakhstan", "minister") says little about which
-- claim is answered, and would pair every denial with most claims (at a million documents the join outgrew
-- memory). It still counts towards the overlap of a pair found through a rarer word. The count is per denial's
-- own 60 days, so a link does not depend on the window a run builds.
denial_words as (
    select distinct denial_id, published_date, word
    from (
        select signal_id as denial_id, published_date,
               unnest({{ content_words('coalesce(claim, sentence)') }}) as word
        from denial_rows
    )
),
denial_word_lists as (
    select denial_id, list(word) as words from denial_words group by denial_id
),
claim_words as (
    select distinct signal_id, published_date, word
    from (select signal_id, published_date, unnest({{ content_words('sentence') }}) as word from claims)
),
claim_word_lists as (
    select signal_id, list(word) as words from claim_words group by signal_id
),
-- claims holding each word up to each day: the claims of a denial's 60 days are two such counts apart
word_days as (
    select word, published_date,
           sum(count(*)) over (partition by word order by published_date) as n_claims_to_date
    from claim_words
    group by word, published_date
),
rare_denial_words as (
    select dw.denial_id, dw.published_date, dw.word
    from denial_words as dw
    asof join word_days as upto
        on upto.word = dw.word and upto.published_date <= dw.published_date
    asof left join word_days as before
        on before.word = dw.word and before.published_date < dw.published_date - interval 60 days
    where upto.n_claims_to_date - coalesce(before.n_claims_to_date, 0)
          between 1 and {{ var('denial_link_common_word_claims') }}
),
pairs as (
    select distinct dw.denial_id, cw.signal_id as claim_signal_id
    from rare_denial_words as dw
    join claim_words as cw
        on cw.word = dw.word
       and cw.published_date between dw.published_date - interval 60 days and dw.published_date
       and cw.signal_id <> dw.denial_id
),
candidates as (
    select
        p.denial_id,
        p.claim_signal_id,
        c.published_date as claim_date,
        c.sentence as claim_sentence,
        c.speaker_name as claimant_name,
        len(list_intersect(dl.words, cl.words)) / len(dl.words) as overlap
    from pairs as p
    join denial_word_lists as dl using (denial_id)
    join claim_word_lists as cl on cl.signal_id = p.claim_signal_id
    join claims as c on c.signal_id = p.claim_signal_id
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
