{#- The run's as-of time (Dagster passes the run's creation time), else when dbt started. -#}
{% macro as_of() -%}
    cast('{{ var("as_of", run_started_at.strftime("%Y-%m-%d %H:%M:%S")) }}' as timestamp)
{%- endmacro %}
