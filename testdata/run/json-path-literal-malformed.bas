' Malformed literal JSON paths are check errors: unclosed [, non-numeric and
' negative index, empty segment, empty path.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{}"
  PRINT GET JSON PATH J, "a[0"
  PRINT GET JSON PATH J, "a[x]"
  PRINT GET JSON PATH J, "a[-1]"
  PRINT GET JSON PATH J, "a..b"
  PRINT GET JSON PATH J, ""
END ON
