select reject_id, source, source_path, line_number, stage, reason, rejected_at
from {{ source('raw', 'rejects') }}
