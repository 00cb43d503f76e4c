' GET ENV reads the server's environment (a stub here); unset is "".
ON WEBHOOK POST TO "/t" DO
  PRINT GET ENV "GOLDEN_GREETING"; ",["; GET ENV "GOLDEN_EMPTY"; "],["; GET ENV "GOLDEN_UNSET"; "]"
END ON
