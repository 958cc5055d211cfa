# A tiny JSON writer shared by the fixture scripts (jsonlite may be absent): numbers with 17
# significant digits, NA and non-finite values as null; a named list is an object, an unnamed
# list an array, a vector of length one a scalar unless marked with arr().
num <- function(x) ifelse(is.na(x) | !is.finite(x), "null", sprintf("%.17g", x))
to_json <- function(x) {
  if (is.list(x)) {
    if (!is.null(names(x))) {
      inner <- mapply(function(k, v) paste0('"', k, '": ', to_json(v)), names(x), x)
      return(paste0("{", paste(inner, collapse = ", "), "}"))
    }
    return(paste0("[", paste(sapply(x, to_json), collapse = ", "), "]"))
  }
  if (is.character(x) || is.factor(x)) {
    s <- paste0('"', as.character(x), '"')
  } else if (is.logical(x)) {
    s <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    s <- num(as.numeric(x))
  }
  if (length(x) == 1 && is.null(attr(x, "as_array"))) s else paste0("[", paste(s, collapse = ", "), "]")
}
arr <- function(x) structure(unname(x), as_array = TRUE)
