-- Events through Kafka (ROLLGATE_EVENTS_KAFKA): per topic partition, the offset of the first record
-- not yet applied. It is written in the transaction that applies the records before it, so a record
-- consumed again (after a crash, before the offset reached Kafka) is skipped, never counted twice.
CREATE TABLE event_offsets (
    topic        VARCHAR(249) NOT NULL,
    partition_id INTEGER      NOT NULL,
    next_offset  BIGINT       NOT NULL,
    PRIMARY KEY (topic, partition_id)
);
