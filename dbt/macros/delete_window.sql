{#- Incremental models replace exactly the run's window: delete its days, then append them again. A day
    whose rows all disappeared is emptied too (delete+insert by key would leave it stale). -#}
{% macro delete_window(date_column, start_expr=none, end_expr=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ date_column }} between {{ start_expr or window_start() }} and {{ end_expr or window_end() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
