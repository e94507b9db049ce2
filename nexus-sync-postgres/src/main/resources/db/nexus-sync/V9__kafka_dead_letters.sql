-- Dead letters recorded by apply --from kafka: where the refused change was consumed, so a person can find the record.
-- Their slot column holds 'kafka:' || the consumer group: each group (each graph it feeds) keeps its own dead letters,
-- parked entities and one row per stream position, apart from run's (whose slot column holds the slot).
ALTER TABLE nexus_sync.dead_letter
    ADD COLUMN kafka_group     text,
    ADD COLUMN kafka_topic     text,
    ADD COLUMN kafka_partition integer,
    ADD COLUMN kafka_offset    bigint;
