{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_vintage() }}") }}
-- depends_on: {{ ref('index_parameters') }}
-- Every materialisation's index values with its as-of time and methodology version: a past value can be
-- reproduced and a revision is visible (compare two as_of for one index_date).
select
    {{ as_of() }} as as_of,
    methodology_version,
    index_date,
    document_count,
    composite_points,
    tension_index,
    threat_subindex,
    act_claim_subindex,
    tension_level,
    is_low_confidence
from {{ ref('tension_index_daily') }}
{% if is_incremental() %}
where index_date between {{ index_window_start() }} and {{ index_window_end() }}
{% endif %}
