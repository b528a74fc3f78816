select
    doc_id,
    source,
    outlet,
    doc_type,
    url,
    title,
    language,
    published_date,
    date_source,
    content_hash,
    length(text) as text_char_count,
    fetched_at
from {{ source('raw', 'documents') }}
