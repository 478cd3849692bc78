# Regenerate: Rscript tests/reference/make_change_reference.R   (from the repository root)
#
# Reference figures for tests/test_change.py: change between consecutive waves per group
# and subscale, independent (Welch, t.test(to, from)) and paired
# (t.test(to, from, paired = TRUE)). Makes its own seeded person-level scores
# (change_data.csv: three waves, two organisations, three sets, people who skip a wave,
# missing scores, one person who changes set, one who changes organisation) and writes
# expected_change.csv at 17 significant digits. The Python tests never need R.

here <- "tests/reference"
set.seed(20261101)
waves <- c("Autumn 2026", "Winter 2027", "Spring 2027")
people <- data.frame(
  respondent_id = sprintf("p%02d", 1:24),
  organization = rep(c("North", "North", "South"), each = 8),
  set = rep(c("A", "B", "C"), each = 8),
  stringsAsFactors = FALSE
)
rows <- list()
for (w in seq_along(waves)) {
  present <- people[runif(nrow(people)) > 0.2, ]
  # p03 moves from North/A to North/B after the first wave; p20 from South to North/A.
  present$set[present$respondent_id == "p03" & w > 1] <- "B"
  moved <- present$respondent_id == "p20" & w > 1
  present$organization[moved] <- "North"
  present$set[moved] <- "A"
  present$wave <- waves[w]
  n <- nrow(present)
  effect <- c(A = 0, B = 0.4, C = -0.3)[present$set]
  present$alpha_sub <- round(3 + 0.25 * (w - 1) + effect + rnorm(n, 0, 0.7), 4)
  present$beta_sub <- round(2.8 - 0.1 * (w - 1) + rnorm(n, 0, 0.6), 4)
  present$alpha_sub[runif(n) < 0.08] <- NA
  present$beta_sub[runif(n) < 0.08] <- NA
  rows[[w]] <- present
}
data <- do.call(rbind, rows)
write.csv(data, file.path(here, "change_data.csv"), row.names = FALSE, na = "")

full <- function(x) format(x, digits = 17)
groups_of <- function(frame, level) {
  if (level == "programme") return(rep("", nrow(frame)))
  if (level == "organization") return(paste(frame$organization, "", sep = "|"))
  paste(frame$organization, frame$set, sep = "|")
}
out <- list()
for (i in 1:(length(waves) - 1)) {
  a <- data[data$wave == waves[i], ]
  b <- data[data$wave == waves[i + 1], ]
  for (level in c("programme", "organization", "set")) {
    ga <- groups_of(a, level)
    gb <- groups_of(b, level)
    for (g in sort(unique(c(ga, gb)))) {
      for (sub in c("alpha_sub", "beta_sub")) {
        x <- a[ga == g, sub]; x <- x[!is.na(x)]
        y <- b[gb == g, sub]; y <- y[!is.na(y)]
        ind <- c(NA, NA, NA)
        if (length(x) >= 2 && length(y) >= 2) {
          t <- t.test(y, x)
          ind <- c(mean(y) - mean(x), t$conf.int[1], t$conf.int[2])
        }
        m <- merge(a[ga == g, c("respondent_id", sub)], b[gb == g, c("respondent_id", sub)],
                   by = "respondent_id")
        m <- m[!is.na(m[[2]]) & !is.na(m[[3]]), ]
        par <- c(nrow(m), NA, NA, NA, NA, NA)
        if (nrow(m) >= 2) {
          t <- t.test(m[[3]], m[[2]], paired = TRUE)
          par <- c(nrow(m), mean(m[[2]]), mean(m[[3]]), t$estimate, t$conf.int[1],
                   t$conf.int[2])
        }
        parts <- strsplit(paste0(g, "|"), "|", fixed = TRUE)[[1]]
        out[[length(out) + 1]] <- data.frame(
          level = level, organization = if (length(parts) > 0) parts[1] else "",
          set = if (length(parts) > 1) parts[2] else "", subscale = sub,
          wave_from = waves[i], wave_to = waves[i + 1],
          n_from = length(x), n_to = length(y),
          mean_from = full(if (length(x)) mean(x) else NA),
          mean_to = full(if (length(y)) mean(y) else NA),
          change = full(ind[1]), ci_low = full(ind[2]), ci_high = full(ind[3]),
          n_paired = par[1], paired_mean_from = full(par[2]), paired_mean_to = full(par[3]),
          paired_change = full(par[4]), paired_ci_low = full(par[5]),
          paired_ci_high = full(par[6]), stringsAsFactors = FALSE)
      }
    }
  }
}
expected <- do.call(rbind, out)
expected[is.na(expected$organization), "organization"] <- ""
expected[is.na(expected$set), "set"] <- ""
write.csv(expected, file.path(here, "expected_change.csv"), row.names = FALSE, na = "NA",
          quote = TRUE)
