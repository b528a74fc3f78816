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
