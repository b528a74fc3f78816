{% macro delete_vintage() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where as_of = {{ as_of() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
