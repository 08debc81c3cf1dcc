import KGEngine
import KGSyntax

/// What executing one statement did.
public enum StatementResult: Sendable, Equatable {
    /// A fact was stored (`isNew` is false when it was already there from the same source).
    case asserted(isNew: Bool)
    /// A rule was added.
    case ruleAdded
    /// The rule was stored already (the same rule, written the same up to spacing and comments):
    /// nothing was added. Its formatted text, and where the statement is.
    case ruleAlreadyStored(String, location: SourceLocation)
    /// A retraction removed this many fact rows (one per source).
    case retracted(count: Int)
    /// A rule retraction removed this many rules (the same rule may have been added twice).
    case rulesRetracted(count: Int)
    /// A prefix was declared.
    case prefixDeclared
    /// A predicate was declared functional (`isNew` is false when it was declared so already).
    case declared(isNew: Bool)
    /// A declaration's retraction removed this many declarations (0 or 1).
    case declarationsRetracted(count: Int)
    /// A query's answer.
    case answer(Query, QueryAnswer)
}
