{#- 100 x value / reference mean; null on a day without documents, 0 when the reference has no points. -#}
{% macro rebased(value, mean, documents) -%}
    case when {{ documents }} = 0 then null
         when {{ mean }} is null or {{ mean }} = 0 then 0
         else 100 * {{ value }} / {{ mean }} end
{%- endmacro %}
