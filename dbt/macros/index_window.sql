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
