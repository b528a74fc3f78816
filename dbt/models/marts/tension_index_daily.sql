{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_window('index_date', index_window_start(), index_window_end()) }}") }}
-- The daily Kazakhstan tension index (docs/methodology.md). Rebased so that the reference period's days with
-- documents average 100; moving averages and a trailing z-score; a level from the thresholds in index_parameters.
with comp as (
    select * from {{ ref('int_index_components_daily') }}
),
reference_days as (
    select * from comp
    where document_count > 0
      and index_date between {{ param('reference_start_date', 'date') }} and {{ param('reference_end_date', 'date') }}
),
basis as (
    -- No data in the configured reference period: every day with documents is the reference.
    select * from reference_days
    union all
    select * from comp where document_count > 0 and not exists (select 1 from reference_days)
),
prior as (
    -- The norm a day is pulled towards: points per document over all the reference period's documents.
    select
        sum(composite_points * document_count) / nullif(sum(document_count), 0) as composite_prior,
        sum(threat_points * document_count) / nullif(sum(document_count), 0) as threat_prior,
        sum(act_claim_points * document_count) / nullif(sum(document_count), 0) as act_claim_prior
    from basis
),
shrunk as (
    -- Credibility weighting: a day counts as its documents plus k typical ones (k = shrinkage_documents),
    -- so one hostile post on a quiet day cannot outrank a day of widespread hostility.
    select
        c.*,
        {{ credibility_adjusted('c.composite_points', 'c.document_count', 'p.composite_prior') }} as composite_adjusted,
        {{ credibility_adjusted('c.threat_points', 'c.document_count', 'p.threat_prior') }} as threat_adjusted,
        {{ credibility_adjusted('c.act_claim_points', 'c.document_count', 'p.act_claim_prior') }} as act_claim_adjusted
    from comp as c, prior as p
),
reference as (
    select
        avg(s.composite_adjusted) as composite_mean,
        avg(s.threat_adjusted) as threat_mean,
        avg(s.act_claim_adjusted) as act_claim_mean
    from shrunk as s
    join basis as b using (index_date)
),
rebased as (
    select
        c.*,
        {{ rebased('c.composite_adjusted', 'r.composite_mean', 'c.document_count') }} as tension_index,
        {{ rebased('c.threat_adjusted', 'r.threat_mean', 'c.document_count') }} as threat_subindex,
        {{ rebased('c.act_claim_adjusted', 'r.act_claim_mean', 'c.document_count') }} as act_claim_subindex
    from shrunk as c, reference as r
),
windowed as (
    select
        *,
        avg(tension_index) over (order by index_date range between interval 6 days preceding and current row)
            as tension_index_ma7,
        avg(tension_index) over (order by index_date range between interval 29 days preceding and current row)
            as tension_index_ma30,
        avg(composite_points) over baseline as baseline_mean,
        stddev_samp(composite_points) over baseline as baseline_stddev,
        count(composite_points) over baseline as baseline_day_count
    from rebased
    window baseline as (
        order by index_date
        range between interval ({{ param('baseline_days', 'integer') }}) day preceding and interval 1 day preceding
    )
)
select
    w.index_date,
    w.document_count,
    w.hostile_document_count,
    w.hostile_mention_count,
    w.accusation_count,
    w.threat_count,
    w.denial_count,
    round(w.hostile_component, 6) as hostile_component,
    round(w.accusation_component, 6) as accusation_component,
    round(w.threat_component, 6) as threat_component,
    round(w.denial_component, 6) as denial_component,
    round(w.composite_points, 6) as composite_points,
    round(w.composite_adjusted, 6) as composite_points_adjusted,
    round(w.tension_index, 2) as tension_index,
    round(w.threat_subindex, 2) as threat_subindex,
    round(w.act_claim_subindex, 2) as act_claim_subindex,
    round(w.tension_index_ma7, 2) as tension_index_ma7,
    round(w.tension_index_ma30, 2) as tension_index_ma30,
    case when w.document_count = 0 or w.baseline_day_count < {{ param('min_baseline_days', 'integer') }}
              or coalesce(w.baseline_stddev, 0) = 0 then null
         else round((w.composite_points - w.baseline_mean) / w.baseline_stddev, 3) end as tension_zscore_90d,
    case
        when w.document_count = 0 then 'no data'
        when w.tension_index >= {{ param('level_critical') }} then 'critical'
        when w.tension_index >= {{ param('level_high') }} then 'high'
        when w.tension_index >= {{ param('level_elevated') }} then 'elevated'
        else 'calm'
    end as tension_level,
    w.document_count < {{ param('min_documents', 'integer') }} as is_low_confidence,
    top.sentence as top_driver_sentence,
    top.kind as top_driver_kind,
    top.speaker_name as top_driver_speaker,
    top.doc_id as top_driver_doc_id,
    top.url as top_driver_url,
    {{ param('methodology_version', 'varchar') }} as methodology_version
from windowed as w
left join {{ ref('tension_index_drivers') }} as top
    on top.index_date = w.index_date and top.driver_rank = 1
{% if is_incremental() %}
where w.index_date between {{ index_window_start() }} and {{ index_window_end() }}
{% endif %}
