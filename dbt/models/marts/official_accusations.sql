{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('accusation_date') }}") }}
-- One row per accusation against a named official (or by one against the target country as a state).
select
    signal_id as accusation_id,
    published_date as accusation_date,
    speaker_name as accuser_name,
    speaker_id as accuser_id,
    speaker_role as accuser_role,
    speaker_country as accuser_country,
    target_name as accused_name,
    target_id as accused_id,
    target_type as accused_type,
    target_country as accused_country,
    claim as charge,
    sentence as evidence_sentence,
    char_start,
    char_end,
    doc_id,
    url,
    outlet,
    publisher_country,
    publisher_alignment,
    score,
    round(weighted_score, 6) as weighted_score
from {{ ref('int_signals_weighted') }}
where kind = 'accusation'
  and published_date between {{ window_start() }} and {{ window_end() }}
