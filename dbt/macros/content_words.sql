{#- A text's content words (4+ letters or digits, lower case, each once): what claims and denials are matched
    by, in English and Russian alike. -#}
{% macro content_words(text) -%}
    list_distinct(list_filter(regexp_split_to_array(lower({{ text }}), '[^\p{L}\p{N}]+'), w -> length(w) >= 4))
{%- endmacro %}
