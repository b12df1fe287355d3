// SQLSTATE codes raised by opendata, shared by src/core and src/pg.
//
// Named as in PostgreSQL's src/backend/utils/errcodes.txt, so a reader can
// look a code up there.  src/core cannot include a PostgreSQL header (and so
// cannot use ERRCODE_*); src/pg throws UserError with the same constants, so
// both halves spell a code one way.
#pragma once

namespace opendata::sqlstate {

// Class 0A: feature not supported.
inline constexpr const char kFeatureNotSupported[] = "0A000";

// Class 22: data exception.
inline constexpr const char kNumericValueOutOfRange[] = "22003";
inline constexpr const char kStringDataRightTruncation[] = "22001";
inline constexpr const char kInvalidDatetimeFormat[] = "22007";
inline constexpr const char kDatetimeFieldOverflow[] = "22008";
inline constexpr const char kCharacterNotInRepertoire[] = "22021";
inline constexpr const char kInvalidParameterValue[] = "22023";
inline constexpr const char kInvalidTextRepresentation[] = "22P02";
inline constexpr const char kInvalidBinaryRepresentation[] = "22P03";
inline constexpr const char kBadCopyFileFormat[] = "22P04";

// Class 23: integrity constraint violation.
inline constexpr const char kUniqueViolation[] = "23505";

// Class 42: syntax error or access rule violation.
inline constexpr const char kInsufficientPrivilege[] = "42501";
inline constexpr const char kSyntaxError[] = "42601";
inline constexpr const char kNameTooLong[] = "42622";
inline constexpr const char kDuplicateColumn[] = "42701";
inline constexpr const char kAmbiguousColumn[] = "42702";
inline constexpr const char kUndefinedColumn[] = "42703";
inline constexpr const char kGroupingError[] = "42803";
inline constexpr const char kDatatypeMismatch[] = "42804";
inline constexpr const char kUndefinedFunction[] = "42883";
inline constexpr const char kUndefinedTable[] = "42P01";

// Class 54: program limit exceeded.
inline constexpr const char kProgramLimitExceeded[] = "54000";
inline constexpr const char kStatementTooComplex[] = "54001";
inline constexpr const char kTooManyColumns[] = "54011";

// Class 55: object not in prerequisite state.
inline constexpr const char kObjectNotInPrerequisiteState[] = "55000";

// Class 57: operator intervention.
inline constexpr const char kQueryCanceled[] = "57014";

// Class XX: internal error.
inline constexpr const char kInternalError[] = "XX000";

// Not PostgreSQL's: PostgREST answers a PTnnn SQLSTATE with HTTP status nnn
// (PT406: 406 Not Acceptable, for a format the client cannot be given).
inline constexpr const char kPostgrestNotAcceptable[] = "PT406";

}  // namespace opendata::sqlstate
