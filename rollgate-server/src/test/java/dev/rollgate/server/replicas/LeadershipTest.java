package dev.rollgate.server.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** One leader per PostgreSQL schema, handed over when it goes away. */
class LeadershipTest {

  @Test
  void oneReplicaLeadsAndAnotherTakesOverWhenItLeaves() {
    String url = TestPostgres.newSchema();
    String other = TestPostgres.newSchema();
    try (Database a = Database.open(url, null, null, Path.of("."), null);
        Database b = Database.open(url, null, null, Path.of("."), null);
        Database elsewhere = Database.open(other, null, null, Path.of("."), null)) {
      Leadership first = new Leadership(a);
      Leadership second = new Leadership(b);
      Leadership separate = new Leadership(elsewhere);
      assertThat(first.isLeader()).isTrue();
      assertThat(first.isLeader()).as("it keeps the lead").isTrue();
      assertThat(second.isLeader()).isFalse();
      assertThat(separate.isLeader()).as("another schema has its own leader").isTrue();
      first.close(); // the replica stops: its lock goes with its connection
      assertThat(second.isLeader()).isTrue();
      assertThat(first.isLeader()).as("it rejoins as a follower").isFalse();
      second.close();
      first.close();
      separate.close();
    } finally {
      TestPostgres.dropSchema(url);
      TestPostgres.dropSchema(other);
    }
  }
}
