{#- One methodology parameter from the index_parameters seed, as a scalar subquery of the given type. -#}
{% macro param(name, type='double') -%}
    (select cast(value as {{ type }}) from {{ ref('index_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}
