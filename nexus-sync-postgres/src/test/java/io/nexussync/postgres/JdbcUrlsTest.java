package io.nexussync.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

    @Test
    void shouldRedactAPasswordParameterWhereverItIs() {
        assertThat(JdbcUrls.redact("jdbc:postgresql://db:5432/app?password=s3cret"))
                .isEqualTo("jdbc:postgresql://db:5432/app?password=<redacted>");
        assertThat(JdbcUrls.redact("jdbc:postgresql://db/app?user=sync&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=sync&password=<redacted>&ssl=true");
        assertThat(JdbcUrls.redact("jdbc:postgresql://db/app?PASSWORD=s3cret&sslpassword=k3y"))
                .isEqualTo("jdbc:postgresql://db/app?PASSWORD=<redacted>&sslpassword=<redacted>");
        assertThat(JdbcUrls.redact("jdbc:postgresql://db/app?password=")).isEqualTo("jdbc:postgresql://db/app?password=<redacted>");
    }

    @Test
    void shouldRedactThePasswordOfAUserInfoPartAndKeepTheUser() {
        assertThat(JdbcUrls.redact("jdbc:postgresql://sync:s3cret@db:5432/app"))
                .isEqualTo("jdbc:postgresql://sync:<redacted>@db:5432/app");
        assertThat(JdbcUrls.redact("jdbc:postgresql://sync:p@ss/w:rd@db:5432/app?ssl=true"))
                .isEqualTo("jdbc:postgresql://sync:<redacted>@db:5432/app?ssl=true");
        assertThat(JdbcUrls.redact("jdbc:postgresql://sync:s3cret@db/app?password=other"))
                .isEqualTo("jdbc:postgresql://sync:<redacted>@db/app?password=<redacted>");
    }

    @Test
    void shouldLeaveAUrlWithoutAPasswordAsItIs() {
        for (String url : new String[] {"jdbc:postgresql://db:5432/app", "jdbc:postgresql://sync@db/app?ssl=true",
                "jdbc:postgresql://h1:5432,h2:5433/app?targetServerType=primary", "jdbc:postgresql://db/app?passwordless=1"}) {
            assertThat(JdbcUrls.redact(url)).isEqualTo(url);
        }
        assertThat(JdbcUrls.redact(null)).isNull();
    }

    @Test
    void shouldKeepTheSecretOutOfEveryRedactedForm() {
        String[] urls = {"jdbc:postgresql://u:TOPSECRET@db/app", "jdbc:postgresql://db/app?password=TOPSECRET",
                "jdbc:postgresql://db/app?a=1;password=TOPSECRET", "jdbc:postgresql://u:TOP@SECRET@db/app"};
        for (String url : urls) {
            assertThat(JdbcUrls.redact(url)).as(url).doesNotContain("SECRET").doesNotContain("TOP");
        }
    }
}
