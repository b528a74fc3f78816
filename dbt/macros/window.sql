{#- The run's partition window, passed by Dagster as vars; without them, all days. -#}
{% macro window_start() -%}
    cast('{{ var("start_date", "1900-01-01") }}' as date)
{%- endmacro %}

{% macro window_end() -%}
    cast('{{ var("end_date", "2999-12-31") }}' as date)
{%- endmacro %}
