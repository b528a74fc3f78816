select
    doc_id,
    language,
    published_date,
    date_source,
    target_mentioned as is_target_mentioned,
    tension_rating,
    signal_count
from {{ source('raw', 'document_assessments') }}
