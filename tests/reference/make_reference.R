# Regenerate: Rscript tests/reference/make_reference.R   (from the repository root)
#
# Reference figures for tests/test_stats.py and tests/test_agreement.py (and the
# whole-pipeline checks in test_summaries.py), computed with psych and multilevel from
# tests/reference/data.csv (made by tests/reference/make_data.py). Writes
# tests/reference/expected_*.csv at full precision (17 significant digits); the Python
# tests compare surveyor.stats and surveyor.agreement against them to 1e-6 and never need R.
#
# Versions used for the committed files are written to expected_versions.csv.

suppressPackageStartupMessages({
  library(psych)
  library(multilevel)
})

here <- "tests/reference"
data <- read.csv(file.path(here, "data.csv"), stringsAsFactors = FALSE)

# Reverse-key a3 with the declared scale range (1-5): x' = 1 + 5 - x.
data$a3 <- 6 - data$a3
data$set_id <- paste(data$organization, data$set, sep = "/")

subscales <- list(alpha_sub = c("a1", "a2", "a3"), beta_sub = c("b1", "b2", "b3"))
n_options <- 5
ranvar <- (n_options^2 - 1) / 12

full <- function(x) format(x, digits = 17)
write_full <- function(frame, name) {
  # Format numeric columns at 17 significant digits so doubles round-trip exactly.
  for (col in names(frame)) {
    if (is.double(frame[[col]])) {
      frame[[col]] <- ifelse(is.na(frame[[col]]), NA,
                             vapply(frame[[col]], full, character(1)))
    }
  }
  write.csv(frame, file.path(here, name), row.names = FALSE, na = "NA", quote = TRUE)
}

alpha_rows <- list()
item_rows <- list()
agreement_rows <- list()
icc_rows <- list()
icc_shown_rows <- list()

# The sets surveyor shows on one subscale at minimum group size N (the whole-pipeline
# checks in test_summaries.py run at N = 3): a set with 1 to N-1 scores is withheld, and
# in its organisation the next-smallest set with scores (ties to the first name) joins it
# until the withheld sets hold at least N scores. (Every organisation of data.csv has at
# least N scores, so no organisation is withheld.)
shown_sets <- function(score, set_id, organization, N) {
  n <- tapply(!is.na(score), set_id, sum)
  org <- tapply(organization, set_id, function(x) x[1])
  hidden <- names(n)[n > 0 & n < N]
  for (o in sort(unique(org))) {
    siblings <- names(n)[org == o]
    pool <- sum(n[intersect(siblings, hidden)])
    candidates <- siblings[!(siblings %in% hidden) & n[siblings] > 0]
    candidates <- candidates[order(n[candidates], candidates)]
    for (s in candidates) {
      if (pool == 0 || pool >= N) break
      hidden <- c(hidden, s)
      pool <- pool + n[[s]]
    }
  }
  setdiff(names(n)[n > 0], hidden)
}

# Degenerate alpha cases, checked for alpha only: a two-item subscale (psych's special
# case for alpha if item deleted) and a subscale with a constant item (psych deletes it).
alpha_cases <- list(
  alpha_sub = data[, subscales$alpha_sub],
  beta_sub = data[, subscales$beta_sub],
  two_items = data[, c("a1", "a2")],
  constant_item = cbind(data[, subscales$beta_sub], z = 3)
)

for (subscale in names(alpha_cases)) {
  items <- alpha_cases[[subscale]]

  # psych::alpha with its defaults (use = "pairwise").
  a <- suppressWarnings(psych::alpha(items))
  alpha_rows[[subscale]] <- data.frame(
    subscale = subscale,
    raw_alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    average_r = a$total$average_r,
    feldt_lower = a$feldt$lower.ci$raw_alpha,
    feldt_upper = a$feldt$upper.ci$raw_alpha,
    n_rows = nrow(items),
    n_answered = sum(rowSums(!is.na(items)) > 0),
    k = a$nvar
  )
  item_rows[[subscale]] <- data.frame(
    subscale = subscale,
    item = rownames(a$item.stats),
    n = a$item.stats$n,
    mean = a$item.stats$mean,
    sd = a$item.stats$sd,
    r_drop = a$item.stats$r.drop,
    alpha_drop = a$alpha.drop$raw_alpha
  )
}

for (subscale in names(subscales)) {
  items <- data[, subscales[[subscale]]]

  # Agreement per set: rwg(j) with the uniform null, and AD_M(J) about the item means.
  rwg <- multilevel::rwg.j(items, data$set_id, ranvar = ranvar)
  ad <- multilevel::ad.m(items, data$set_id, type = "mean")
  agreement_rows[[subscale]] <- data.frame(
    subscale = subscale,
    set_id = rwg$grpid,
    rwg_j = rwg$rwg.j,
    ad_m = ad$AD.M[match(rwg$grpid, ad$grpid)],
    n_complete = rwg$gsize
  )

  # ICC(1), ICC(2) on the person subscale score: the mean of the three items, only
  # when all three are answered (never prorate a subscale of 3 items or fewer).
  score <- ifelse(rowSums(is.na(items)) == 0, rowMeans(items), NA)
  model <- aov(score ~ factor(set_id), data = data.frame(score = score, set_id = data$set_id))
  icc_rows[[subscale]] <- data.frame(
    subscale = subscale,
    icc1 = multilevel::ICC1(model),
    icc2 = multilevel::ICC2(model),
    n_scores = sum(!is.na(score))
  )

  # surveyor publishes ICC(1), ICC(2) over the shown sets only, so that no withheld set's
  # mean enters them (N = 3, as the pipeline checks run).
  shown <- shown_sets(score, data$set_id, data$organization, 3)
  keep <- data$set_id %in% shown
  model <- aov(score ~ factor(set_id),
               data = data.frame(score = score[keep], set_id = data$set_id[keep]))
  icc_shown_rows[[subscale]] <- data.frame(
    subscale = subscale,
    icc1 = multilevel::ICC1(model),
    icc2 = multilevel::ICC2(model),
    n_scores = sum(!is.na(score[keep])),
    sets = paste(sort(shown), collapse = " ")
  )
}

write_full(do.call(rbind, alpha_rows), "expected_alpha.csv")
write_full(do.call(rbind, item_rows), "expected_items.csv")
write_full(do.call(rbind, agreement_rows), "expected_agreement.csv")
write_full(do.call(rbind, icc_rows), "expected_icc.csv")
write_full(do.call(rbind, icc_shown_rows), "expected_icc_shown.csv")

# The Feldt check figure from the domain brief: alpha .85, k = 7, n = 89.
feldt <- psych::alpha.ci(0.85, 89, 7)
write_full(data.frame(alpha = 0.85, n = 89, k = 7,
                      lower = feldt$lower.ci, upper = feldt$upper.ci),
           "expected_feldt.csv")

# Null distribution critical values from rwg.j.sim. These are simulated, so they only
# serve as a loose check (within 0.02) on surveyor's own seeded simulation.
set.seed(2024)
sim_rows <- list()
for (cfg in list(c(3, 6), c(5, 6), c(6, 6), c(8, 6), c(5, 3), c(9, 3))) {
  sim <- multilevel::rwg.j.sim(gsize = cfg[1], nitems = cfg[2], nresp = n_options,
                               nrep = 10000)
  sim_rows[[length(sim_rows) + 1]] <- data.frame(
    n = cfg[1], j = cfg[2], n_options = n_options, nrep = 10000,
    rwg_95 = sim$rwg.95,
    quantile_95 = unname(quantile(sim$rwg, 0.95, type = 1))
  )
}
write_full(do.call(rbind, sim_rows), "expected_rwg_sim.csv")

write.csv(data.frame(
  package = c("R", "psych", "multilevel"),
  version = c(paste(R.version$major, R.version$minor, sep = "."),
              as.character(packageVersion("psych")),
              as.character(packageVersion("multilevel")))
), file.path(here, "expected_versions.csv"), row.names = FALSE)
