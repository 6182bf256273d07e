/* kafka-mock: a Kafka cluster for the tests, from librdkafka's mock
 * cluster (real brokers on 127.0.0.1, ephemeral ports, storage in
 * memory). Prints its bootstrap servers on one line, creates the topic,
 * and runs until its standard input ends.
 * usage: kafka-mock BROKERS TOPIC PARTITIONS */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kafka-mock BROKERS TOPIC PARTITIONS\n");
		return 2;
	}
	int brokers = (int)strtol(argv[1], NULL, 10);
	int parts = (int)strtol(argv[3], NULL, 10);
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "kafka-mock: %s\n", err);
		return 1;
	}
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
	if (!mc ||
	    rd_kafka_mock_topic_create(mc, argv[2], parts, brokers) != 0) {
		fprintf(stderr, "kafka-mock: cannot start the mock cluster\n");
		return 1;
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	char b[64];
	while (read(0, b, sizeof b) > 0)
		;
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
