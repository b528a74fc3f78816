{#- Credibility weighting: a day's points per document blended with the prior as if shrinkage_documents typical
    documents had also been published that day. -#}
{% macro credibility_adjusted(points, documents, prior) -%}
    ({{ points }} * {{ documents }} + {{ param('shrinkage_documents') }} * {{ prior }})
        / ({{ documents }} + {{ param('shrinkage_documents') }})
{%- endmacro %}
