{#- One methodology parameter from the index_parameters seed, as a scalar subquery of the given type. -#}
{% macro param(name, type='double') -%}
    (select cast(value as {{ type }}) from {{ ref('index_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}

{#- The run's partition window, passed by Dagster as vars; without them, all days. -#}
{% macro window_start() -%}
    cast('{{ var("start_date", "1900-01-01") }}' as date)
{%- endmacro %}

{% macro window_end() -%}
    cast('{{ var("end_date", "2999-12-31") }}' as date)
{%- endmacro %}

{#- Incremental models replace exactly the run's window: delete its days, then append them again. A day
    whose rows all disappeared is emptied too (delete+insert by key would leave it stale). -#}
{% macro delete_window(date_column, start_expr=none, end_expr=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ date_column }} between {{ start_expr or window_start() }} and {{ end_expr or window_end() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The index rows a window touches: its days, the days whose trailing windows (moving averages, z-score
    baseline) include them, or every day when the window overlaps the reference period (the rebasing mean moves). -#}
{% macro _window_overlaps_reference() -%}
    ({{ window_start() }} <= {{ param('reference_end_date', 'date') }}
     and {{ window_end() }} >= {{ param('reference_start_date', 'date') }})
{%- endmacro %}

{% macro index_window_start() -%}
    case when {{ _window_overlaps_reference() }} then cast('1900-01-01' as date) else {{ window_start() }} end
{%- endmacro %}

{% macro index_window_end() -%}
    case when {{ _window_overlaps_reference() }} then cast('2999-12-31' as date)
         else {{ window_end() }} + to_days({{ param('baseline_days', 'integer') }}) end
{%- endmacro %}

{#- Share of the first text's content words (4+ letters) that the second contains: a cheap claim matcher that
    works for English and Russian alike. -#}
{% macro word_overlap(a, b) -%}
    coalesce(
        len(list_intersect(
            list_distinct(list_filter(regexp_split_to_array(lower({{ a }}), '[^\p{L}\p{N}]+'), w -> length(w) >= 4)),
            list_distinct(list_filter(regexp_split_to_array(lower({{ b }}), '[^\p{L}\p{N}]+'), w -> length(w) >= 4))))
        / nullif(len(list_distinct(list_filter(regexp_split_to_array(lower({{ a }}), '[^\p{L}\p{N}]+'), w -> length(w) >= 4))), 0),
    0)
{%- endmacro %}

{#- The run's as-of time (Dagster passes the run's creation time), else when dbt started. -#}
{% macro as_of() -%}
    cast('{{ var("as_of", run_started_at.strftime("%Y-%m-%d %H:%M:%S")) }}' as timestamp)
{%- endmacro %}

{% macro delete_vintage() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where as_of = {{ as_of() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Credibility weighting: a day's points per document blended with the prior as if shrinkage_documents typical
    documents had also been published that day. -#}
{% macro credibility_adjusted(points, documents, prior) -%}
    ({{ points }} * {{ documents }} + {{ param('shrinkage_documents') }} * {{ prior }})
        / ({{ documents }} + {{ param('shrinkage_documents') }})
{%- endmacro %}

{#- 100 x value / reference mean; null on a day without documents, 0 when the reference has no points. -#}
{% macro rebased(value, mean, documents) -%}
    case when {{ documents }} = 0 then null
         when {{ mean }} is null or {{ mean }} = 0 then 0
         else 100 * {{ value }} / {{ mean }} end
{%- endmacro %}
