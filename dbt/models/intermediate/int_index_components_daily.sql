{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_window('index_date') }}", schema='intermediate') }}
-- Per day, the four components of the index. Each document contributes at most its strongest signal of each
-- kind, so a long article quoting ten insults weighs like one hostile article (the share logic of
-- article-count indices); dividing by the day's documents keeps a busy news day from reading as a tense one.
with days as (
    select index_date from {{ ref('stg_days') }}
    where index_date between {{ window_start() }} and {{ window_end() }}
),
docs as (
    select doc_id, published_date from {{ ref('int_documents') }}
    where published_date between {{ window_start() }} and {{ window_end() }}
),
per_doc as (
    select
        doc_id,
        max(weighted_score) filter (where kind = 'hostile_mention') as hostile_points,
        max(weighted_score) filter (where kind = 'accusation') as accusation_points,
        max(weighted_score) filter (where kind = 'threat') as threat_points,
        max(weighted_score) filter (where kind = 'denial') as denial_points,
        count(*) filter (where kind = 'hostile_mention') as hostile_mention_count,
        count(*) filter (where kind = 'accusation') as accusation_count,
        count(*) filter (where kind = 'threat') as threat_count,
        count(*) filter (where kind = 'denial') as denial_count
    from {{ ref('int_signals_weighted') }}
    where published_date between {{ window_start() }} and {{ window_end() }}
    group by doc_id
),
daily as (
    select
        d.published_date as index_date,
        count(*) as document_count,
        count(*) filter (where p.hostile_points > 0) as hostile_document_count,
        cast(coalesce(sum(p.hostile_mention_count), 0) as bigint) as hostile_mention_count,
        cast(coalesce(sum(p.accusation_count), 0) as bigint) as accusation_count,
        cast(coalesce(sum(p.threat_count), 0) as bigint) as threat_count,
        cast(coalesce(sum(p.denial_count), 0) as bigint) as denial_count,
        coalesce(sum(p.hostile_points), 0) / count(*) as hostile_component,
        coalesce(sum(p.accusation_points), 0) / count(*) as accusation_component,
        coalesce(sum(p.threat_points), 0) / count(*) as threat_component,
        coalesce(sum(p.denial_points), 0) / count(*) as denial_component
    from docs as d
    left join per_doc as p using (doc_id)
    group by 1
)
select
    days.index_date,
    coalesce(daily.document_count, 0) as document_count,
    coalesce(daily.hostile_document_count, 0) as hostile_document_count,
    coalesce(daily.hostile_mention_count, 0) as hostile_mention_count,
    coalesce(daily.accusation_count, 0) as accusation_count,
    coalesce(daily.threat_count, 0) as threat_count,
    coalesce(daily.denial_count, 0) as denial_count,
    daily.hostile_component,
    daily.accusation_component,
    daily.threat_component,
    daily.denial_component,
    daily.hostile_component + daily.accusation_component + daily.threat_component + daily.denial_component
        as composite_points,
    daily.threat_component as threat_points,
    daily.hostile_component + daily.accusation_component + daily.denial_component as act_claim_points
from days
left join daily using (index_date)
