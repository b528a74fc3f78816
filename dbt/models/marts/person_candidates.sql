-- People named as speakers or targets whom the register does not know (no id): candidates for review,
-- so that "Information Minister Aida Balayeva" introduced in a text is never silently dropped.
with mentions as (
    select speaker_name as person_name, speaker_role as role, speaker_country as country_code,
           'speaker' as mentioned_as, published_date, sentence, doc_id
    from {{ ref('stg_signals') }}
    where speaker_id is null and speaker_type = 'person' and speaker_name is not null
    union all
    select target_name, null, target_country, 'target', published_date, sentence, doc_id
    from {{ ref('stg_signals') }}
    where target_id is null and target_type = 'person' and target_name is not null
)
select
    person_name,
    max(role) as role,
    max(country_code) as country_code,
    count(*) as mention_count,
    count(distinct doc_id) as document_count,
    min(published_date) as first_seen_date,
    max(published_date) as last_seen_date,
    min(sentence) as example_sentence
from mentions
group by person_name
