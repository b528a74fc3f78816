{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_window('threat_date') }}") }}
-- One row per threat or escalation statement, with who made it, at whom, and what is threatened.
select
    signal_id as threat_id,
    published_date as threat_date,
    speaker_name,
    speaker_id,
    speaker_role,
    speaker_country,
    target_name,
    target_type,
    category,
    claim as threatened,
    sentence as evidence_sentence,
    char_start,
    char_end,
    tension_rating = 3 as is_force_or_territorial,
    doc_id,
    url,
    outlet,
    publisher_country,
    publisher_alignment,
    round(weighted_score, 6) as weighted_score
from {{ ref('int_signals_weighted') }}
where kind = 'threat'
  and published_date between {{ window_start() }} and {{ window_end() }}
