# W1 reference: R computing the statistics surveyor score computes, on the same file.
# Usage: Rscript bench/w1.R RESPONSES.csv
# Reads the CSV, treats "Don't know / not applicable" and empty cells as missing, keys the
# reverse-worded items of bench/national-25.yaml (6 - x), then per subscale: person
# scores (psych::scoreItems, mean of answered items), psych::alpha, multilevel::rwg.j per
# set, ICC(1)/ICC(2) from the one-way ANOVA of score on set (multilevel's formulas).
# Prints the elapsed seconds.
suppressPackageStartupMessages({library(psych); library(multilevel)})
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], colClasses = "character", na.strings = c("", "Don't know / not applicable"))
t_read <- proc.time()[["elapsed"]] - t0
subscales <- list(
  learning_in_action = c("lia1", "lia2", "lia3", "lia4", "lia5"),
  collusion = c("ca1", "ca2", "ca3", "ca4", "ca5"),
  political_expediency = c("pe1", "pe2", "pe3", "pe4", "pe5"),
  legitimacy_limits = c("ll1", "ll2", "ll3", "ll4", "ll5"),
  emotional_risk = c("er1", "er2", "er3", "er4", "er5")
)
reverse <- c("ca4", "pe4", "ll5", "er4")
items <- unlist(subscales)
x <- as.data.frame(lapply(d[items], as.numeric))
for (r in reverse) x[[r]] <- 6 - x[[r]]
set_id <- paste(d$organization, d$set, sep = "/")
for (s in names(subscales)) {
  cols <- subscales[[s]]
  keys <- make.keys(cols, list(s = cols))
  sc <- scoreItems(keys, x[cols], impute = "none", min = 1, max = 5)$scores[, 1]
  a <- psych::alpha(x[cols], check.keys = FALSE, warnings = FALSE)
  complete <- complete.cases(x[cols])
  rw <- rwg.j(x[complete, cols], set_id[complete], ranvar = 2)
  ok <- !is.na(sc)
  # multilevel::ICC1/ICC2 take an aov fit; with 20,000 sets aov's model matrix would need
  # 1e6 x 2e4 doubles, so the same one-way ANOVA mean squares are formed with tapply.
  g <- set_id[ok]; y <- sc[ok]
  means <- tapply(y, g, mean); sizes <- tapply(y, g, length)
  ssb <- sum(sizes * (means - mean(y))^2); ssw <- sum((y - means[g])^2)
  k <- length(means); msb <- ssb / (k - 1); msw <- ssw / (length(y) - k)
  icc1 <- (msb - msw) / (msb + (length(y) / k - 1) * msw); icc2 <- (msb - msw) / msb
  cat(sprintf("%s alpha=%.4f icc1=%.4f icc2=%.4f mean_rwg=%.4f\n", s, a$total$raw_alpha,
              icc1, icc2, mean(rw$rwg.j, na.rm = TRUE)))
}
t_total <- proc.time()[["elapsed"]] - t0
cat(sprintf("R_READ_SECONDS %.3f\nR_TOTAL_SECONDS %.3f\n", t_read, t_total))
