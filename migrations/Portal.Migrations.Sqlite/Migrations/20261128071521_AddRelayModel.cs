using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddRelayModel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "carryover_plan_credit_expires_at",
                table: "wallets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "carryover_plan_credit_micro_yuan",
                table: "wallets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "ai_models",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    public_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    input_price_per_million_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    output_price_per_million_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    cached_input_price_per_million_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    context_window = table.Column<int>(type: "INTEGER", nullable: false),
                    max_output_tokens = table.Column<int>(type: "INTEGER", nullable: false),
                    default_hold_output_tokens = table.Column<int>(type: "INTEGER", nullable: false),
                    tokenizer = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    sort_order = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ai_models", x => x.id);
                    table.CheckConstraint("ck_ai_models_hold_positive", "default_hold_output_tokens > 0");
                    table.CheckConstraint("ck_ai_models_prices_non_negative", "input_price_per_million_micro_yuan >= 0 AND output_price_per_million_micro_yuan >= 0 AND cached_input_price_per_million_micro_yuan >= 0");
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    secret_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    allowed_models = table.Column<string>(type: "TEXT", nullable: false),
                    allowed_ip_ranges = table.Column<string>(type: "TEXT", nullable: false),
                    requests_per_minute = table.Column<int>(type: "INTEGER", nullable: true),
                    monthly_budget_micro_yuan = table.Column<long>(type: "INTEGER", nullable: true),
                    created_by_user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.CheckConstraint("ck_api_keys_budget_non_negative", "monthly_budget_micro_yuan IS NULL OR monthly_budget_micro_yuan >= 0");
                    table.ForeignKey(
                        name: "fk_api_keys_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "channels",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    api_key_protected = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    api_key_last4 = table.Column<string>(type: "TEXT", maxLength: 4, nullable: true),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    weight = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    connect_timeout_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    first_byte_timeout_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    simulator_latency_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    simulator_tokens_per_second = table.Column<int>(type: "INTEGER", nullable: false),
                    simulator_failure_per_mille = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channels", x => x.id);
                    table.CheckConstraint("ck_channels_failure_per_mille", "simulator_failure_per_mille >= 0 AND simulator_failure_per_mille <= 1000");
                    table.CheckConstraint("ck_channels_weight_positive", "weight >= 1");
                });

            migrationBuilder.CreateTable(
                name: "wallet_leases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    wallet_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    replica_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    renewed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wallet_leases", x => x.id);
                    table.CheckConstraint("ck_wallet_leases_amount_non_negative", "amount_micro_yuan >= 0");
                    table.ForeignKey(
                        name: "fk_wallet_leases_wallets_wallet_id",
                        column: x => x.wallet_id,
                        principalTable: "wallets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "api_key_spend",
                columns: table => new
                {
                    api_key_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    month = table.Column<int>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    spent_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    reserved_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    requests = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_key_spend", x => new { x.api_key_id, x.month });
                    table.CheckConstraint("ck_api_key_spend_reserved_non_negative", "reserved_micro_yuan >= 0");
                    table.ForeignKey(
                        name: "fk_api_key_spend_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "usage_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    api_key_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    model = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    channel_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    input_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    cached_input_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    output_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    input_price_per_million_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    output_price_per_million_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    cached_input_price_per_million_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    plan_credit_used_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    wallet_charged_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    hold_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    http_status = table.Column<int>(type: "INTEGER", nullable: false),
                    error_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    stream = table.Column<bool>(type: "INTEGER", nullable: false),
                    estimated = table.Column<bool>(type: "INTEGER", nullable: false),
                    overdraft = table.Column<bool>(type: "INTEGER", nullable: false),
                    latency_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    time_to_first_token_ms = table.Column<int>(type: "INTEGER", nullable: true),
                    client_ip = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_records", x => x.id);
                    table.CheckConstraint("ck_usage_records_amounts_non_negative", "cost_micro_yuan >= 0 AND plan_credit_used_micro_yuan >= 0 AND wallet_charged_micro_yuan >= 0");
                    table.CheckConstraint("ck_usage_records_cost_split", "cost_micro_yuan = plan_credit_used_micro_yuan + wallet_charged_micro_yuan");
                    table.ForeignKey(
                        name: "fk_usage_records_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_usage_records_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "channel_models",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    channel_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    public_model_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    upstream_model_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channel_models", x => x.id);
                    table.ForeignKey(
                        name: "fk_channel_models_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_wallets_carryover_plan_credit_non_negative",
                table: "wallets",
                sql: "carryover_plan_credit_micro_yuan >= 0");

            migrationBuilder.CreateIndex(
                name: "ix_ai_models_public_id",
                table: "ai_models",
                column: "public_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_key_spend_tenant_id_month",
                table: "api_key_spend",
                columns: new[] { "tenant_id", "month" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_secret_hash",
                table: "api_keys",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_tenant_id_created_at",
                table: "api_keys",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_channel_models_channel_id_public_model_id",
                table: "channel_models",
                columns: new[] { "channel_id", "public_model_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_channels_name",
                table: "channels",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_usage_records_api_key_id",
                table: "usage_records",
                column: "api_key_id");

            migrationBuilder.CreateIndex(
                name: "ix_usage_records_request_id",
                table: "usage_records",
                column: "request_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_usage_records_tenant_id_api_key_id_at",
                table: "usage_records",
                columns: new[] { "tenant_id", "api_key_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_records_tenant_id_at_id",
                table: "usage_records",
                columns: new[] { "tenant_id", "at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_wallet_leases_expires_at",
                table: "wallet_leases",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_wallet_leases_wallet_id_replica_id",
                table: "wallet_leases",
                columns: new[] { "wallet_id", "replica_id" },
                unique: true);
            // The usage ledger is append-only in the database too.
            migrationBuilder.Sql("CREATE TRIGGER usage_records_no_update BEFORE UPDATE ON usage_records BEGIN SELECT RAISE(ABORT, 'usage_records is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER usage_records_no_delete BEFORE DELETE ON usage_records BEGIN SELECT RAISE(ABORT, 'usage_records is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS usage_records_no_update; DROP TRIGGER IF EXISTS usage_records_no_delete;");

            migrationBuilder.DropTable(
                name: "ai_models");

            migrationBuilder.DropTable(
                name: "api_key_spend");

            migrationBuilder.DropTable(
                name: "channel_models");

            migrationBuilder.DropTable(
                name: "usage_records");

            migrationBuilder.DropTable(
                name: "wallet_leases");

            migrationBuilder.DropTable(
                name: "channels");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropCheckConstraint(
                name: "ck_wallets_carryover_plan_credit_non_negative",
                table: "wallets");

            migrationBuilder.DropColumn(
                name: "carryover_plan_credit_expires_at",
                table: "wallets");

            migrationBuilder.DropColumn(
                name: "carryover_plan_credit_micro_yuan",
                table: "wallets");
        }
    }
}
