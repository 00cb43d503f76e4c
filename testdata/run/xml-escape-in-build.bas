' XML ESCAPE and URL ENCODE inside a string being built (S = S + ..., or a
' chain) write their results into the string: the same text as on their
' own, for a variable, a variable between constants, numbers that add
' first, and a chain of two variables.
ON WEBHOOK POST TO "/t" DO
  LET U$ = "https://x.test/a?b=1&c=<2>"
  LET N = 2
  LET T$ = "<r>"
  T$ = T$ + "<a href=""" + XML ESCAPE(U$ + "&d='3'") + """/>"
  T$ = T$ + "<b>" + XML ESCAPE("say ""hi"" to " + U$ + " & bye") + "</b>"
  T$ = T$ + XML ESCAPE(N + 1 + "<") + XML ESCAPE(U$) + XML ESCAPE(U$ + "|" + U$)
  T$ = T$ + "<q>?u=" + URL ENCODE("a b/" + U$ + " é") + "</q>"
  T$ = T$ + "</r>"
  PRINT T$; "|"; XML ESCAPE(U$ + "&d='3'"); "|"; URL ENCODE("a b/" + U$ + " é")
  PRINT "|<c n=""" + XML ESCAPE(N & "<") + """>" + XML ESCAPE(U$) + "</c>"
END ON
