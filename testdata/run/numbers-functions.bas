' STR has no leading space, VAL reads a leading number, INT floors, ROUND rounds half away from zero.
ON WEBHOOK POST TO "/t" DO
  PRINT "["; STR(42); "]["; STR(-1.5); "]["; STR(0.1 + 0.2); "];"
  PRINT VAL("12abc"); ","; VAL("  3.5e2x"); ","; VAL("abc"); ","; VAL(""); ","; VAL("-4"); ";"
  PRINT INT(2.7); ","; INT(-2.5); ","; INT(3); ";"
  PRINT ROUND(2.5); ","; ROUND(-2.5); ","; ROUND(0.5); ","; ROUND(1.25, 1); ","; ROUND(-1.25, 1); ","; ROUND(1234.5678, 2); ";"
  PRINT ABS(-3); ","; ABS(2.5); ";"
  N$ = NOW()
  PRINT LEN(N$) >= 20; ","; RIGHT(N$, 1); ","; MID(N$, 5, 1); MID(N$, 11, 1)
END ON
