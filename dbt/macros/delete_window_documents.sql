{#- int_documents' part of the window: its days, and the documents now dated in it wherever they were before
    (an updated text may carry another date), so that a document is never counted on two days. -#}
{% macro delete_window_documents() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where published_date between {{ window_start() }} and {{ window_end() }}
            or doc_id in (select doc_id from {{ ref('stg_documents') }}
                          where published_date between {{ window_start() }} and {{ window_end() }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
