' String functions count code points, are 1-based, and behave as classic BASIC.
ON WEBHOOK POST TO "/t" DO
  S$ = "ação✓é"
  PRINT LEN(S$); ","; LEFT(S$, 2); ","; RIGHT(S$, 2); ","; MID(S$, 2, 3); ","; MID(S$, 4); ","
  PRINT LEFT(S$, 0); "|"; LEFT(S$, 99); "|"; MID(S$, 99); "|"; LEN(""); ";"
  PRINT INSTR(S$, "ç"); ","; INSTR(S$, "z"); ","; INSTR(3, "abcabc", "b"); ","; INSTR("abc", ""); ";"
  PRINT UCASE(S$); ","; LCASE("ÀÉÎ"); ","; "["; TRIM("  x y  "); "]"; ";"
  PRINT REPLACE("a-b-c", "-", "+"); ","; REPLACE("ção ção", "ção", "x"); ";"
END ON
